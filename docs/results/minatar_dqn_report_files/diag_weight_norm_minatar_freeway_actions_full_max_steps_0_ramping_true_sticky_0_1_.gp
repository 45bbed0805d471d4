set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output 'docs/results/minatar_dqn_report_files/diag_weight_norm_minatar_freeway_actions_full_max_steps_0_ramping_true_sticky_0_1_.svg'
set title 'minatar/freeway(actions=full,max_steps=0,ramping=true,sticky=0.1): weight norm'
set xlabel 'env steps'
set ylabel 'weight norm'
set key outside right top box
set grid lc rgb '#dddddd'
set border 3
set tics nomirror
set style fill transparent solid 0.2 noborder
set format x '%.0s%c'
$D0 << EOD
100000 3.965468465 3.840938423 4.15004681
200000 4.668002895 4.202182896 4.907627667
300000 5.375467643 5.056500528 5.558402431
400000 5.839181346 5.591137538 5.999059813
500000 6.16327755 6.01764629 6.236189807
600000 6.422000898 6.31621111 6.474898994
700000 6.657664749 6.567082999 6.772743023
800000 6.842767117 6.663116618 6.97234146
900000 7.015324299 6.881323971 7.149350508
1000000 7.203414101 7.074675672 7.346755894
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'dqn (n=3)'
