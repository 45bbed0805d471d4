set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output '/tmp/ne/sw/wsr/width_scaling_report_files/diag_routing_entropy_minatar_breakout_actions_full_max_steps_0_ramping_true_sticky_0_1_.svg'
set title 'minatar/breakout(actions=full,max_steps=0,ramping=true,sticky=0.1): routing entropy (nats)'
set xlabel 'env steps'
set ylabel 'routing entropy (nats)'
set key outside right top box
set grid lc rgb '#dddddd'
set border 3
set tics nomirror
set style fill transparent solid 0.2 noborder
set format x '%.0s%c'
$D0 << EOD
10000 1.312503258 1.297187209 1.326084733
20000 1.305382888 1.286057234 1.318561077
30000 1.289633711 1.268862724 1.304542184
40000 1.275663376 1.257765532 1.288036942
50000 1.265347918 1.250841379 1.287719727
60000 1.25425605 1.238856077 1.278892517
70000 1.247069637 1.232816696 1.270906806
80000 1.237808069 1.223302722 1.265295267
90000 1.22538352 1.205333471 1.254206061
100000 1.216056585 1.192066908 1.245319724
EOD
$D1 << EOD
10000 1.355457425 1.339135766 1.364822268
20000 1.348999262 1.331760406 1.358038425
30000 1.327436884 1.303888798 1.354368567
40000 1.31454742 1.264266491 1.353382707
50000 1.305965503 1.257849216 1.335045934
60000 1.300593098 1.254701734 1.327743649
70000 1.298795501 1.268549919 1.33167541
80000 1.293254097 1.259101868 1.330415368
90000 1.295892517 1.264953732 1.333254218
100000 1.295422872 1.26384306 1.336726665
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'softmoe4[width_scale=1] (n=3)', \
     $D1 using 1:3:4 with filledcurves lc rgb '#D55E00' notitle, $D1 using 1:2 with lines lw 2 lc rgb '#D55E00' title 'softmoe4[width_scale=2] (n=3)'
