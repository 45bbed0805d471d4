set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output 'docs/results/minatar_dqn_report_files/diag_feature_norm_minatar_breakout_actions_full_max_steps_0_ramping_true_sticky_0_1_.svg'
set title 'minatar/breakout(actions=full,max_steps=0,ramping=true,sticky=0.1): feature norm'
set xlabel 'env steps'
set ylabel 'feature norm'
set key outside right top box
set grid lc rgb '#dddddd'
set border 3
set tics nomirror
set style fill transparent solid 0.2 noborder
set format x '%.0s%c'
$D0 << EOD
100000 13.42332427 12.3106842 14.46669674
200000 15.23516369 14.81480598 15.93432236
300000 13.59663137 13.44830132 13.72103024
400000 11.43788401 11.04940796 12.15913773
500000 10.23953565 9.689917564 10.76294327
600000 9.443406105 8.927348137 10.09186172
700000 9.098140081 8.536337852 9.915837288
800000 8.610881805 8.282109261 9.055617332
900000 8.301316579 8.097633362 8.593898773
1000000 8.228890737 8.009932518 8.388126373
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'dqn (n=3)'
