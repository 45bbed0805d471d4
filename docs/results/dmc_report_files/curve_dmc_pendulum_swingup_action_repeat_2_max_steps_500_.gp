set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output 'dmc_report_files/curve_dmc_pendulum_swingup_action_repeat_2_max_steps_500_.svg'
set title 'dmc/pendulum_swingup(action_repeat=2,max_steps=500)'
set xlabel 'env steps'
set ylabel 'eval_return_mean (mean, 95% CI)'
set key outside right top box
set grid lc rgb '#dddddd'
set border 3
set tics nomirror
set style fill transparent solid 0.2 noborder
set format x '%.0s%c'
$D0 << EOD
5000 0 0 0
10000 2.933333333 0 8.8
15000 0 0 0
20000 0 0 0
EOD
$D1 << EOD
5000 0 0 0
10000 1 0 3
15000 0 0 0
20000 0 0 0
EOD
$D2 << EOD
5000 0 0 0
10000 3 0 9
15000 0 0 0
20000 0 0 0
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'sac (n=3)', \
     $D1 using 1:3:4 with filledcurves lc rgb '#D55E00' notitle, $D1 using 1:2 with lines lw 2 lc rgb '#D55E00' title 'simba (n=3)', \
     $D2 using 1:3:4 with filledcurves lc rgb '#009E73' notitle, $D2 using 1:2 with lines lw 2 lc rgb '#009E73' title 'simbav2 (n=3)'
