set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output 'dmc_report_files/curve_dmc_walker_walk_action_repeat_2_max_steps_500_.svg'
set title 'dmc/walker_walk(action_repeat=2,max_steps=500)'
set xlabel 'env steps'
set ylabel 'eval_return_mean (mean, 95% CI)'
set key outside right top box
set grid lc rgb '#dddddd'
set border 3
set tics nomirror
set style fill transparent solid 0.2 noborder
set format x '%.0s%c'
$D0 << EOD
5000 18.74151908 17.02367435 20.38672954
10000 28.29106511 23.10135547 33.39535849
15000 101.9286216 47.55011546 137.1110987
20000 169.13823 124.981138 199.9366668
EOD
$D1 << EOD
5000 22.51789006 14.10795874 30.26549284
10000 181.1868535 78.724377 246.6167174
15000 636.8805954 478.3923887 878.6837488
20000 823.296567 740.8720004 934.2896315
EOD
$D2 << EOD
5000 21.25191035 18.47214555 25.81374151
10000 27.21113033 22.63903961 29.57813763
15000 149.5563536 55.06482109 218.9197933
20000 168.0352093 62.87969626 283.5173326
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'sac (n=3)', \
     $D1 using 1:3:4 with filledcurves lc rgb '#D55E00' notitle, $D1 using 1:2 with lines lw 2 lc rgb '#D55E00' title 'simba (n=3)', \
     $D2 using 1:3:4 with filledcurves lc rgb '#009E73' notitle, $D2 using 1:2 with lines lw 2 lc rgb '#009E73' title 'simbav2 (n=3)'
