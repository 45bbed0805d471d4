set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output 'docs/results/scaling_report_files/diag_srank_minatar_breakout_actions_full_max_steps_0_ramping_true_sticky_0_1_.svg'
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
$D2 << EOD
10000 29.33333333 29 30
20000 40 37 42
30000 42.66666667 41 44
40000 45 45 45
50000 45 42 48
60000 45 44 47
70000 47.33333333 46 50
80000 48 46 51
90000 48.66666667 46 53
100000 49.33333333 47 52
EOD
$D3 << EOD
10000 74 70 77
20000 77 75 79
30000 81.66666667 77 89
40000 82.66666667 79 88
50000 85.66666667 80 93
60000 77.66666667 74 83
70000 81 77 83
80000 84 77 95
90000 84.33333333 73 91
100000 84 74 90
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
10000 73.66666667 68 83
20000 70.33333333 65 74
30000 75.66666667 73 80
40000 81.33333333 76 86
50000 87.33333333 75 96
60000 87.33333333 74 97
70000 87 77 96
80000 88.33333333 81 93
90000 88.66666667 77 96
100000 93.33333333 81 101
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'dense (n=3)', \
     $D1 using 1:3:4 with filledcurves lc rgb '#D55E00' notitle, $D1 using 1:2 with lines lw 2 lc rgb '#D55E00' title 'pruned95 (n=3)', \
     $D2 using 1:3:4 with filledcurves lc rgb '#009E73' notitle, $D2 using 1:2 with lines lw 2 lc rgb '#009E73' title 'softmoe1 (n=3)', \
     $D3 using 1:3:4 with filledcurves lc rgb '#CC79A7' notitle, $D3 using 1:2 with lines lw 2 lc rgb '#CC79A7' title 'softmoe2 (n=3)', \
     $D4 using 1:3:4 with filledcurves lc rgb '#E69F00' notitle, $D4 using 1:2 with lines lw 2 lc rgb '#E69F00' title 'softmoe4 (n=3)', \
     $D5 using 1:3:4 with filledcurves lc rgb '#56B4E9' notitle, $D5 using 1:2 with lines lw 2 lc rgb '#56B4E9' title 'softmoe8 (n=3)'
