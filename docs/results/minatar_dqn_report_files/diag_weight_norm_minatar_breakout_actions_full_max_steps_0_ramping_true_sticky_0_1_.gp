set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output 'docs/results/minatar_dqn_report_files/diag_weight_norm_minatar_breakout_actions_full_max_steps_0_ramping_true_sticky_0_1_.svg'
set title 'minatar/breakout(actions=full,max_steps=0,ramping=true,sticky=0.1): weight norm'
set xlabel 'env steps'
set ylabel 'weight norm'
set key outside right top box
set grid lc rgb '#dddddd'
set border 3
set tics nomirror
set style fill transparent solid 0.2 noborder
set format x '%.0s%c'
$D0 << EOD
100000 19.48768134 19.29324618 19.77226086
200000 24.91148148 24.73020847 25.23804383
300000 24.98913704 24.57036116 25.6791847
400000 25.10546897 24.4152134 25.50244434
500000 25.20495784 24.5110356 25.75346116
600000 25.47839457 24.8171344 25.98528542
700000 25.80229336 25.07927693 26.20075362
800000 25.92025714 25.28169777 26.33992289
900000 26.24949215 25.89407124 26.56517478
1000000 26.59965393 26.33073195 26.80660501
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'dqn (n=3)'
