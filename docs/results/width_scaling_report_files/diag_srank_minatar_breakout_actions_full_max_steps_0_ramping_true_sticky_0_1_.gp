set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output '/tmp/ne/sw/wsr/width_scaling_report_files/diag_srank_minatar_breakout_actions_full_max_steps_0_ramping_true_sticky_0_1_.svg'
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
10000 76.33333333 75 78
20000 88.66666667 87 90
30000 92.66666667 91 96
40000 95.66666667 95 96
50000 98.33333333 96 100
60000 100.3333333 98 102
70000 101.3333333 99 103
80000 102 100 103
90000 102.3333333 101 104
100000 103.3333333 103 104
EOD
$D1 << EOD
10000 104 94 112
20000 128 123 135
30000 141 138 147
40000 150.6666667 149 153
50000 160.6666667 157 167
60000 166.3333333 165 167
70000 166 163 169
80000 170.3333333 166 174
90000 170.3333333 164 176
100000 174.6666667 170 178
EOD
$D2 << EOD
10000 76.33333333 75 78
20000 88.66666667 87 90
30000 93 91 96
40000 96.66666667 95 98
50000 97.66666667 97 98
60000 96 95 97
70000 93 91 94
80000 93.66666667 93 94
90000 94.66666667 93 96
100000 94.66666667 94 95
EOD
$D3 << EOD
10000 104 94 112
20000 128 123 135
30000 144.6666667 140 147
40000 152.6666667 149 155
50000 155.3333333 152 160
60000 161.3333333 153 166
70000 156.6666667 154 161
80000 159.3333333 156 162
90000 159.3333333 153 166
100000 164.6666667 157 171
EOD
$D4 << EOD
10000 68.66666667 59 77
20000 74 62 85
30000 79 64 89
40000 83 65 93
50000 81.33333333 67 90
60000 85 71 95
70000 87.66666667 75 97
80000 86 83 91
90000 93.66666667 89 99
100000 95.66666667 90 104
EOD
$D5 << EOD
10000 80.66666667 70 87
20000 81.33333333 74 86
30000 84.33333333 76 89
40000 87 76 95
50000 84 78 88
60000 83.33333333 76 88
70000 85.33333333 82 90
80000 81 76 84
90000 84.33333333 74 93
100000 88.66666667 81 95
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'dense[width_scale=1] (n=3)', \
     $D1 using 1:3:4 with filledcurves lc rgb '#D55E00' notitle, $D1 using 1:2 with lines lw 2 lc rgb '#D55E00' title 'dense[width_scale=2] (n=3)', \
     $D2 using 1:3:4 with filledcurves lc rgb '#009E73' notitle, $D2 using 1:2 with lines lw 2 lc rgb '#009E73' title 'pruned95[width_scale=1] (n=3)', \
     $D3 using 1:3:4 with filledcurves lc rgb '#CC79A7' notitle, $D3 using 1:2 with lines lw 2 lc rgb '#CC79A7' title 'pruned95[width_scale=2] (n=3)', \
     $D4 using 1:3:4 with filledcurves lc rgb '#E69F00' notitle, $D4 using 1:2 with lines lw 2 lc rgb '#E69F00' title 'softmoe4[width_scale=1] (n=3)', \
     $D5 using 1:3:4 with filledcurves lc rgb '#56B4E9' notitle, $D5 using 1:2 with lines lw 2 lc rgb '#56B4E9' title 'softmoe4[width_scale=2] (n=3)'
