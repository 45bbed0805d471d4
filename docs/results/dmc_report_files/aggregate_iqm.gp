set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output 'dmc_report_files/aggregate_iqm.svg'
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
5000 0.02475153749 0.01449435433 0.03624332568
10000 0.07856070021 0.05364965168 0.116795759
15000 0.1324537684 0.1098065075 0.1616201897
20000 0.2154250562 0.1728225255 0.2616530392
EOD
$D1 << EOD
5000 0.03611429338 0.02022759894 0.05795949946
10000 0.1629577882 0.1187644518 0.2387082845
15000 0.2958491451 0.2697238882 0.3353969066
20000 0.4171060669 0.3544390741 0.4994985287
EOD
$D2 << EOD
5000 0.0207113329 0.01189849148 0.02835892513
10000 0.0788075339 0.06087097576 0.09548664333
15000 0.1537842178 0.1227629701 0.1859049794
20000 0.2813205073 0.2368940806 0.3289231024
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'sac', \
     $D1 using 1:3:4 with filledcurves lc rgb '#D55E00' notitle, $D1 using 1:2 with lines lw 2 lc rgb '#D55E00' title 'simba', \
     $D2 using 1:3:4 with filledcurves lc rgb '#009E73' notitle, $D2 using 1:2 with lines lw 2 lc rgb '#009E73' title 'simbav2'
