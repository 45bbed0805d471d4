set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output 'docs/results/minatar_dqn_report_files/diag_weight_norm_minatar_space_invaders_actions_full_max_steps_0_ramping_true_sticky_0_1_.svg'
set title 'minatar/space_invaders(actions=full,max_steps=0,ramping=true,sticky=0.1): weight norm'
set xlabel 'env steps'
set ylabel 'weight norm'
set key outside right top box
set grid lc rgb '#dddddd'
set border 3
set tics nomirror
set style fill transparent solid 0.2 noborder
set format x '%.0s%c'
$D0 << EOD
100000 17.21837063 16.90422483 17.562407
200000 22.51209983 22.06996247 22.95181169
300000 24.17137037 23.92951569 24.41994448
400000 24.32745802 24.10718492 24.52324056
500000 24.2757919 24.11812605 24.3856298
600000 24.44481569 24.3639912 24.54700707
700000 24.72370584 24.54691771 24.90045673
800000 24.93068872 24.650715 25.26583073
900000 25.08094429 24.88253213 25.27336297
1000000 25.25059339 25.12693138 25.44482113
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'dqn (n=3)'
