set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output 'docs/results/minatar_dqn_report_files/diag_grad_norm_minatar_asterix_actions_full_max_steps_0_ramping_true_sticky_0_1_.svg'
set title 'minatar/asterix(actions=full,max_steps=0,ramping=true,sticky=0.1): gradient norm'
set xlabel 'env steps'
set ylabel 'gradient norm'
set key outside right top box
set grid lc rgb '#dddddd'
set border 3
set tics nomirror
set style fill transparent solid 0.2 noborder
set format x '%.0s%c'
$D0 << EOD
100000 0.04973291267 0.04755252102 0.05221301701
200000 0.141143199 0.1362050879 0.1499778388
300000 0.1761717092 0.1647532701 0.1893240344
400000 0.1381768313 0.1192644489 0.1509042743
500000 0.1230431733 0.1103985019 0.1300389458
600000 0.1238704135 0.1189205133 0.1313300862
700000 0.1242465103 0.1227750732 0.1253454814
800000 0.1273699007 0.124217479 0.1311830686
900000 0.1274603856 0.1199090661 0.1338877866
1000000 0.1356159382 0.1249099779 0.1442899464
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'dqn (n=3)'
