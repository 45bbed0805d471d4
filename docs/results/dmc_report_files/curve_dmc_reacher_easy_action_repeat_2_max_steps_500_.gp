set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output 'dmc_report_files/curve_dmc_reacher_easy_action_repeat_2_max_steps_500_.svg'
set title 'dmc/reacher_easy(action_repeat=2,max_steps=500)'
set xlabel 'env steps'
set ylabel 'eval_return_mean (mean, 95% CI)'
set key outside right top box
set grid lc rgb '#dddddd'
set border 3
set tics nomirror
set style fill transparent solid 0.2 noborder
set format x '%.0s%c'
$D0 << EOD
5000 67.4 13.6 143.4
10000 145.8666667 0 391.6
15000 175.3333333 145.4 190.4
20000 197.7333333 27.8 393.4
EOD
$D1 << EOD
5000 63.6 18.2 116.8
10000 253.4 0.2 565.2
15000 265.0666667 192.2 346.2
20000 187.8 0 558.8
EOD
$D2 << EOD
5000 41 4.8 73.4
10000 261.7333333 49.2 577.6
15000 182 64.6 273
20000 459.5333333 387.6 569.2
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'sac (n=3)', \
     $D1 using 1:3:4 with filledcurves lc rgb '#D55E00' notitle, $D1 using 1:2 with lines lw 2 lc rgb '#D55E00' title 'simba (n=3)', \
     $D2 using 1:3:4 with filledcurves lc rgb '#009E73' notitle, $D2 using 1:2 with lines lw 2 lc rgb '#009E73' title 'simbav2 (n=3)'
