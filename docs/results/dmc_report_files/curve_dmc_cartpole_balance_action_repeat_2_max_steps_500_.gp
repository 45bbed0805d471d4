set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output 'dmc_report_files/curve_dmc_cartpole_balance_action_repeat_2_max_steps_500_.svg'
set title 'dmc/cartpole_balance(action_repeat=2,max_steps=500)'
set xlabel 'env steps'
set ylabel 'eval_return_mean (mean, 95% CI)'
set key outside right top box
set grid lc rgb '#dddddd'
set border 3
set tics nomirror
set style fill transparent solid 0.2 noborder
set format x '%.0s%c'
$D0 << EOD
5000 341.1670863 320.6835643 355.7685159
10000 567.9376627 537.1576559 611.2617036
15000 840.1336733 776.6276507 886.1578358
20000 973.4499085 931.8124199 998.1286232
EOD
$D1 << EOD
5000 266.8561552 197.4236829 312.6236882
10000 477.1869763 308.6292885 570.9289075
15000 638.6447418 548.6787032 802.6472541
20000 910.895822 858.5314795 961.1675969
EOD
$D2 << EOD
5000 368.6733138 321.1784709 444.3459271
10000 528.6697156 485.1579505 564.4938223
15000 806.9060901 644.1437474 980.645459
20000 936.2552635 823.6529301 994.4806559
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'sac (n=3)', \
     $D1 using 1:3:4 with filledcurves lc rgb '#D55E00' notitle, $D1 using 1:2 with lines lw 2 lc rgb '#D55E00' title 'simba (n=3)', \
     $D2 using 1:3:4 with filledcurves lc rgb '#009E73' notitle, $D2 using 1:2 with lines lw 2 lc rgb '#009E73' title 'simbav2 (n=3)'
