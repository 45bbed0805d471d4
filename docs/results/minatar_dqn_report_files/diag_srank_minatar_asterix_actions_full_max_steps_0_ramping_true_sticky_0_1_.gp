set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output 'docs/results/minatar_dqn_report_files/diag_srank_minatar_asterix_actions_full_max_steps_0_ramping_true_sticky_0_1_.svg'
set title 'minatar/asterix(actions=full,max_steps=0,ramping=true,sticky=0.1): srank of the penultimate features'
set xlabel 'env steps'
set ylabel 'srank of the penultimate features'
set key outside right top box
set grid lc rgb '#dddddd'
set border 3
set tics nomirror
set style fill transparent solid 0.2 noborder
set format x '%.0s%c'
$D0 << EOD
100000 214.6666667 207 220
200000 230.6666667 228 233
300000 233.6666667 230 238
400000 237.6666667 234 240
500000 238.6666667 238 239
600000 239 238 240
700000 238 237 239
800000 237.6666667 236 240
900000 238 236 239
1000000 238 236 240
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'dqn (n=3)'
