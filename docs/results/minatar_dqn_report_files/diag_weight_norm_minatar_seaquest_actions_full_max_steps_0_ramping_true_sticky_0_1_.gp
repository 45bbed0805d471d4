set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output 'docs/results/minatar_dqn_report_files/diag_weight_norm_minatar_seaquest_actions_full_max_steps_0_ramping_true_sticky_0_1_.svg'
set title 'minatar/seaquest(actions=full,max_steps=0,ramping=true,sticky=0.1): weight norm'
set xlabel 'env steps'
set ylabel 'weight norm'
set key outside right top box
set grid lc rgb '#dddddd'
set border 3
set tics nomirror
set style fill transparent solid 0.2 noborder
set format x '%.0s%c'
$D0 << EOD
100000 10.10617969 9.802527045 10.30721748
200000 14.71952714 14.55322034 15.0139714
300000 15.56684821 15.25947886 15.89756302
400000 15.24236718 14.89123381 15.67558526
500000 15.27609251 14.98242543 15.61532369
600000 15.72028664 15.53677483 15.95354395
700000 16.26522103 16.08891399 16.42532043
800000 16.76632632 16.64244014 16.8856948
900000 17.47018883 17.3128807 17.61332722
1000000 18.17128042 17.90425305 18.36276762
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'dqn (n=3)'
