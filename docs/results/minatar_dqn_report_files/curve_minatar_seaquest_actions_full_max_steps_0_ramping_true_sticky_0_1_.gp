set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output 'docs/results/minatar_dqn_report_files/curve_minatar_seaquest_actions_full_max_steps_0_ramping_true_sticky_0_1_.svg'
set title 'minatar/seaquest(actions=full,max_steps=0,ramping=true,sticky=0.1)'
set xlabel 'env steps'
set ylabel 'train_return_mean (mean, 95% CI)'
set key outside right top box
set grid lc rgb '#dddddd'
set border 3
set tics nomirror
set style fill transparent solid 0.2 noborder
set format x '%.0s%c'
$D0 << EOD
100000 0.213016867 0.2071622847 0.2214319583
200000 0.4669469197 0.4064080944 0.5014326648
300000 0.6774006701 0.6225680934 0.7793522267
400000 0.8416463273 0.7379518072 0.9422110553
500000 1.05787531 1.030927835 1.095823096
600000 1.191555568 1.137554585 1.295983087
700000 1.363902716 1.225409836 1.506769826
800000 1.8604027 1.468634686 2.144230769
900000 2.87965816 2.159633028 3.524064171
1000000 4.001848057 3.438181818 4.475138122
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'dqn (n=3)'
