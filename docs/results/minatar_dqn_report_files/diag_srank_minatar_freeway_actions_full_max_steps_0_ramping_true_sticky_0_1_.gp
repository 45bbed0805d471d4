set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output 'docs/results/minatar_dqn_report_files/diag_srank_minatar_freeway_actions_full_max_steps_0_ramping_true_sticky_0_1_.svg'
set title 'minatar/freeway(actions=full,max_steps=0,ramping=true,sticky=0.1): srank of the penultimate features'
set xlabel 'env steps'
set ylabel 'srank of the penultimate features'
set key outside right top box
set grid lc rgb '#dddddd'
set border 3
set tics nomirror
set style fill transparent solid 0.2 noborder
set format x '%.0s%c'
$D0 << EOD
100000 242.6666667 241 245
200000 244 242 245
300000 246.3333333 246 247
400000 247 246 248
500000 247 246 248
600000 246.3333333 244 248
700000 246.3333333 246 247
800000 247 246 248
900000 246 246 246
1000000 246 245 247
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'dqn (n=3)'
