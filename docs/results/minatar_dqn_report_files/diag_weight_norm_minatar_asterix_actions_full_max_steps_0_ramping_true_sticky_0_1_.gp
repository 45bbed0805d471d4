set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output 'docs/results/minatar_dqn_report_files/diag_weight_norm_minatar_asterix_actions_full_max_steps_0_ramping_true_sticky_0_1_.svg'
set title 'minatar/asterix(actions=full,max_steps=0,ramping=true,sticky=0.1): weight norm'
set xlabel 'env steps'
set ylabel 'weight norm'
set key outside right top box
set grid lc rgb '#dddddd'
set border 3
set tics nomirror
set style fill transparent solid 0.2 noborder
set format x '%.0s%c'
$D0 << EOD
100000 9.489468364 9.390614519 9.629212391
200000 13.74186796 13.71227717 13.78601631
300000 15.51973738 15.40392073 15.61340544
400000 16.25961792 16.08013981 16.35795124
500000 17.22921473 17.10044057 17.41956572
600000 18.31063565 18.20815932 18.51357119
700000 19.4398713 19.2981733 19.6891003
800000 20.5975284 20.33731896 20.88409954
900000 21.82006893 21.52897345 22.13431826
1000000 23.06013682 22.73577126 23.46538741
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'dqn (n=3)'
