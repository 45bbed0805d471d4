set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output 'docs/results/minatar_dqn_report_files/diag_srank_minatar_breakout_actions_full_max_steps_0_ramping_true_sticky_0_1_.svg'
set title 'minatar/breakout(actions=full,max_steps=0,ramping=true,sticky=0.1): srank of the penultimate features'
set xlabel 'env steps'
set ylabel 'srank of the penultimate features'
set key outside right top box
set grid lc rgb '#dddddd'
set border 3
set tics nomirror
set style fill transparent solid 0.2 noborder
set format x '%.0s%c'
$D0 << EOD
100000 94.66666667 91 98
200000 100 95 106
300000 118.3333333 113 125
400000 129 128 130
500000 136.3333333 135 138
600000 140 127 150
700000 142 124 157
800000 143 136 153
900000 144.6666667 137 150
1000000 147.3333333 139 155
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'dqn (n=3)'
