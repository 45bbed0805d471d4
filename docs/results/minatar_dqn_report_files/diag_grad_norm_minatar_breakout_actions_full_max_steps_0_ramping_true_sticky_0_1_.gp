set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output 'docs/results/minatar_dqn_report_files/diag_grad_norm_minatar_breakout_actions_full_max_steps_0_ramping_true_sticky_0_1_.svg'
set title 'minatar/breakout(actions=full,max_steps=0,ramping=true,sticky=0.1): gradient norm'
set xlabel 'env steps'
set ylabel 'gradient norm'
set key outside right top box
set grid lc rgb '#dddddd'
set border 3
set tics nomirror
set style fill transparent solid 0.2 noborder
set format x '%.0s%c'
$D0 << EOD
100000 0.198150536 0.1874554468 0.2184692744
200000 0.5307977718 0.5018198919 0.5482360918
300000 0.3308096992 0.3248249196 0.3370852676
400000 0.1795306643 0.1658873073 0.1908527956
500000 0.1124663474 0.1055796108 0.1199008271
600000 0.0863683455 0.07191713045 0.09883540562
700000 0.07667118901 0.06007912861 0.09458705254
800000 0.06698690222 0.05277473535 0.07855332225
900000 0.06034142334 0.05526542346 0.067988926
1000000 0.05807617379 0.05515443949 0.06328148056
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'dqn (n=3)'
