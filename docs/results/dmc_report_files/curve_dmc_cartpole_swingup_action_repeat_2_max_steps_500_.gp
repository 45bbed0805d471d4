set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output 'dmc_report_files/curve_dmc_cartpole_swingup_action_repeat_2_max_steps_500_.svg'
set title 'dmc/cartpole_swingup(action_repeat=2,max_steps=500)'
set xlabel 'env steps'
set ylabel 'eval_return_mean (mean, 95% CI)'
set key outside right top box
set grid lc rgb '#dddddd'
set border 3
set tics nomirror
set style fill transparent solid 0.2 noborder
set format x '%.0s%c'
$D0 << EOD
5000 25.7113192 3.846900169 42.14580866
10000 258.146676 236.4424223 295.9604972
15000 256.9335393 187.0537865 383.4816073
20000 483.3789748 430.139365 539.7408281
EOD
$D1 << EOD
5000 79.55648339 0.009958960896 161.7982313
10000 281.8667359 241.1871936 338.0149346
15000 315.5176588 246.999834 404.8571772
20000 537.4837133 456.9285461 588.4289263
EOD
$D2 << EOD
5000 19.56651327 17.92238731 20.68321766
10000 185.0568832 163.71164 213.0200452
15000 272.8421537 224.5520516 299.0756927
20000 441.9097054 326.965043 566.0177174
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'sac (n=3)', \
     $D1 using 1:3:4 with filledcurves lc rgb '#D55E00' notitle, $D1 using 1:2 with lines lw 2 lc rgb '#D55E00' title 'simba (n=3)', \
     $D2 using 1:3:4 with filledcurves lc rgb '#009E73' notitle, $D2 using 1:2 with lines lw 2 lc rgb '#009E73' title 'simbav2 (n=3)'
