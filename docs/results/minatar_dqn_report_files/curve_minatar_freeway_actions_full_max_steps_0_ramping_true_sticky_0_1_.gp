set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output 'docs/results/minatar_dqn_report_files/curve_minatar_freeway_actions_full_max_steps_0_ramping_true_sticky_0_1_.svg'
set title 'minatar/freeway(actions=full,max_steps=0,ramping=true,sticky=0.1)'
set xlabel 'env steps'
set ylabel 'train_return_mean (mean, 95% CI)'
set key outside right top box
set grid lc rgb '#dddddd'
set border 3
set tics nomirror
set style fill transparent solid 0.2 noborder
set format x '%.0s%c'
$D0 << EOD
100000 0.3760683761 0.02564102564 0.5641025641
200000 9.491666667 4.95 12.25
300000 30.225 26.35 32.6
400000 43.44166667 41.475 45.225
500000 50.85833333 50.25 51.7
600000 53.40833333 53 54.1
700000 54.31666667 52.775 55.525
800000 55.075 52.725 56.475
900000 56.06666667 54.525 57.3
1000000 55.925 54.75 56.75
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'dqn (n=3)'
