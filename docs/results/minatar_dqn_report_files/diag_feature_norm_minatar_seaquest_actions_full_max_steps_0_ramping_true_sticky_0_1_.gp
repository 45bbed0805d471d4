set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output 'docs/results/minatar_dqn_report_files/diag_feature_norm_minatar_seaquest_actions_full_max_steps_0_ramping_true_sticky_0_1_.svg'
set title 'minatar/seaquest(actions=full,max_steps=0,ramping=true,sticky=0.1): feature norm'
set xlabel 'env steps'
set ylabel 'feature norm'
set key outside right top box
set grid lc rgb '#dddddd'
set border 3
set tics nomirror
set style fill transparent solid 0.2 noborder
set format x '%.0s%c'
$D0 << EOD
100000 5.495280743 5.296162605 5.636141777
200000 5.673937639 5.457736492 5.847031593
300000 4.847012202 4.794038773 4.942847252
400000 3.575171153 3.368620634 3.704533577
500000 2.498298009 2.379172325 2.688027143
600000 1.926684221 1.892186165 1.990005732
700000 1.759469271 1.602328539 1.895481229
800000 1.776229143 1.545874715 1.914031029
900000 2.128856659 1.857528925 2.268088341
1000000 2.546264251 2.356472492 2.685583591
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'dqn (n=3)'
