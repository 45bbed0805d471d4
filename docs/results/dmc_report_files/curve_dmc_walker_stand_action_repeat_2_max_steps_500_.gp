set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output 'dmc_report_files/curve_dmc_walker_stand_action_repeat_2_max_steps_500_.svg'
set title 'dmc/walker_stand(action_repeat=2,max_steps=500)'
set xlabel 'env steps'
set ylabel 'eval_return_mean (mean, 95% CI)'
set key outside right top box
set grid lc rgb '#dddddd'
set border 3
set tics nomirror
set style fill transparent solid 0.2 noborder
set format x '%.0s%c'
$D0 << EOD
5000 103.5009105 98.30847937 112.2022062
10000 184.9553195 147.1739813 210.1146178
15000 387.7835894 345.1602124 414.2249383
20000 752.1349919 589.5033125 954.2596868
EOD
$D1 << EOD
5000 120.4924936 67.92224681 159.5370353
10000 570.768003 515.393131 612.4363218
15000 871.0209713 804.3043193 961.9604707
20000 949.2959456 906.2772914 974.8568967
EOD
$D2 << EOD
5000 120.126727 103.6856548 152.464053
10000 149.5493122 135.4973516 173.2363432
15000 507.1548339 443.6368922 607.8902148
20000 773.0691172 668.2360127 966.7863367
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'sac (n=3)', \
     $D1 using 1:3:4 with filledcurves lc rgb '#D55E00' notitle, $D1 using 1:2 with lines lw 2 lc rgb '#D55E00' title 'simba (n=3)', \
     $D2 using 1:3:4 with filledcurves lc rgb '#009E73' notitle, $D2 using 1:2 with lines lw 2 lc rgb '#009E73' title 'simbav2 (n=3)'
