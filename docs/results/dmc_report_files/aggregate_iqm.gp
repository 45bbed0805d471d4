set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output '/tmp/dmcrep/dmc_report_files/aggregate_iqm.svg'
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
5000 0.03302176436 0.01554703723 0.09002176436
10000 0.205110007 0.1210185543 0.3289007299
15000 0.1919797526 0.1765451467 0.2868908036
20000 0.3689490241 0.2650196825 0.4516993899
EOD
$D1 << EOD
5000 0.06691531497 0.02305248974 0.1180648728
10000 0.2601000519 0.1332990397 0.427400532
15000 0.2861739498 0.235749917 0.3479882856
20000 0.3968555534 0.2296142731 0.5682806485
EOD
$D2 << EOD
5000 0.02587488495 0.01259428812 0.04674696741
10000 0.1783926624 0.1138194821 0.3830749671
15000 0.2502126921 0.1632069361 0.2849936024
20000 0.4520410183 0.3724412608 0.5334954476
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'sac', \
     $D1 using 1:3:4 with filledcurves lc rgb '#D55E00' notitle, $D1 using 1:2 with lines lw 2 lc rgb '#D55E00' title 'simba', \
     $D2 using 1:3:4 with filledcurves lc rgb '#009E73' notitle, $D2 using 1:2 with lines lw 2 lc rgb '#009E73' title 'simbav2'
