set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output '/tmp/ne/sw/wsr/width_scaling_report_files/diag_sparsity_minatar_breakout_actions_full_max_steps_0_ramping_true_sticky_0_1_.svg'
set title 'minatar/breakout(actions=full,max_steps=0,ramping=true,sticky=0.1): pruned fraction'
set xlabel 'env steps'
set ylabel 'pruned fraction'
set key outside right top box
set grid lc rgb '#dddddd'
set border 3
set tics nomirror
set style fill transparent solid 0.2 noborder
set format x '%.0s%c'
$D0 << EOD
10000 0 0 0
20000 0 0 0
30000 0 0 0
40000 0 0 0
50000 0 0 0
60000 0 0 0
70000 0 0 0
80000 0 0 0
90000 0 0 0
100000 0 0 0
EOD
$D1 << EOD
10000 0 0 0
20000 0 0 0
30000 0 0 0
40000 0 0 0
50000 0 0 0
60000 0 0 0
70000 0 0 0
80000 0 0 0
90000 0 0 0
100000 0 0 0
EOD
$D2 << EOD
10000 0 0 0
20000 0 0 0
30000 0.3665787023 0.3665787023 0.3665787023
40000 0.6003133732 0.6003133732 0.6003133732
50000 0.8189712046 0.8189712046 0.8189712046
60000 0.8964849814 0.8964849814 0.8964849814
70000 0.9441458398 0.9441458398 0.9441458398
80000 0.9499961192 0.9499961192 0.9499961192
90000 0.9499961192 0.9499961192 0.9499961192
100000 0.9499961192 0.9499961192 0.9499961192
EOD
$D3 << EOD
10000 0 0 0
20000 0 0 0
30000 0.3665803613 0.3665803613 0.3665803613
40000 0.6003153714 0.6003153714 0.6003153714
50000 0.8189741181 0.8189741181 0.8189741181
60000 0.8964871126 0.8964871126 0.8964871126
70000 0.9441456743 0.9441456743 0.9441456743
80000 0.94999927 0.94999927 0.94999927
90000 0.94999927 0.94999927 0.94999927
100000 0.94999927 0.94999927 0.94999927
EOD
$D4 << EOD
10000 0 0 0
20000 0 0 0
30000 0 0 0
40000 0 0 0
50000 0 0 0
60000 0 0 0
70000 0 0 0
80000 0 0 0
90000 0 0 0
100000 0 0 0
EOD
$D5 << EOD
10000 0 0 0
20000 0 0 0
30000 0 0 0
40000 0 0 0
50000 0 0 0
60000 0 0 0
70000 0 0 0
80000 0 0 0
90000 0 0 0
100000 0 0 0
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'dense[width_scale=1] (n=3)', \
     $D1 using 1:3:4 with filledcurves lc rgb '#D55E00' notitle, $D1 using 1:2 with lines lw 2 lc rgb '#D55E00' title 'dense[width_scale=2] (n=3)', \
     $D2 using 1:3:4 with filledcurves lc rgb '#009E73' notitle, $D2 using 1:2 with lines lw 2 lc rgb '#009E73' title 'pruned95[width_scale=1] (n=3)', \
     $D3 using 1:3:4 with filledcurves lc rgb '#CC79A7' notitle, $D3 using 1:2 with lines lw 2 lc rgb '#CC79A7' title 'pruned95[width_scale=2] (n=3)', \
     $D4 using 1:3:4 with filledcurves lc rgb '#E69F00' notitle, $D4 using 1:2 with lines lw 2 lc rgb '#E69F00' title 'softmoe4[width_scale=1] (n=3)', \
     $D5 using 1:3:4 with filledcurves lc rgb '#56B4E9' notitle, $D5 using 1:2 with lines lw 2 lc rgb '#56B4E9' title 'softmoe4[width_scale=2] (n=3)'
