set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output 'docs/results/dmc_report_files/aggregate_iqm.svg'
set title 'IQM over envs'
set xlabel 'env steps'
set ylabel 'IQM normalised score'
set key outside right top box
set grid lc rgb '#dddddd'
set border 3
set tics nomirror
set style fill transparent solid 0.2 noborder
set format x '%.0s%c'
$D0 << EOD
5000 0.0257113192 0.003846900169 0.04214580866
10000 0.258146676 0.2364424223 0.2959604972
15000 0.2569335393 0.1870537865 0.3834816073
20000 0.4833789748 0.430139365 0.5397408281
EOD
$D1 << EOD
5000 0.07955648339 9.958960896e-06 0.1617982313
10000 0.2818667359 0.2411871936 0.3380149346
15000 0.3155176588 0.246999834 0.4048571772
20000 0.5374837133 0.4569285461 0.5884289263
EOD
$D2 << EOD
5000 0.01956651327 0.01792238731 0.02068321766
10000 0.1850568832 0.16371164 0.2130200452
15000 0.2728421537 0.2245520516 0.2990756927
20000 0.4419097054 0.326965043 0.5660177174
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'sac', \
     $D1 using 1:3:4 with filledcurves lc rgb '#D55E00' notitle, $D1 using 1:2 with lines lw 2 lc rgb '#D55E00' title 'simba', \
     $D2 using 1:3:4 with filledcurves lc rgb '#009E73' notitle, $D2 using 1:2 with lines lw 2 lc rgb '#009E73' title 'simbav2'
