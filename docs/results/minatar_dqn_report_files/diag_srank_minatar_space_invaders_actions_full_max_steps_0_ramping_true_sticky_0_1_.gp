set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output 'docs/results/minatar_dqn_report_files/diag_srank_minatar_space_invaders_actions_full_max_steps_0_ramping_true_sticky_0_1_.svg'
set title 'minatar/space_invaders(actions=full,max_steps=0,ramping=true,sticky=0.1): srank of the penultimate features'
set xlabel 'env steps'
set ylabel 'srank of the penultimate features'
set key outside right top box
set grid lc rgb '#dddddd'
set border 3
set tics nomirror
set style fill transparent solid 0.2 noborder
set format x '%.0s%c'
$D0 << EOD
100000 212.3333333 212 213
200000 224 223 226
300000 236 236 236
400000 235.3333333 235 236
500000 234.3333333 231 236
600000 234 230 237
700000 231 229 233
800000 236 236 236
900000 234.3333333 234 235
1000000 236.3333333 235 238
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'dqn (n=3)'
