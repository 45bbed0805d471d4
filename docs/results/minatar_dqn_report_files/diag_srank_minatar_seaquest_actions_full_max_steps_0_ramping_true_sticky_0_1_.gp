set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output 'docs/results/minatar_dqn_report_files/diag_srank_minatar_seaquest_actions_full_max_steps_0_ramping_true_sticky_0_1_.svg'
set title 'minatar/seaquest(actions=full,max_steps=0,ramping=true,sticky=0.1): srank of the penultimate features'
set xlabel 'env steps'
set ylabel 'srank of the penultimate features'
set key outside right top box
set grid lc rgb '#dddddd'
set border 3
set tics nomirror
set style fill transparent solid 0.2 noborder
set format x '%.0s%c'
$D0 << EOD
100000 216.6666667 214 218
200000 219.6666667 217 222
300000 229.6666667 226 232
400000 226.6666667 226 228
500000 229 222 233
600000 226.6666667 223 229
700000 228.3333333 224 236
800000 233.3333333 231 235
900000 228.3333333 225 231
1000000 225 224 227
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'dqn (n=3)'
