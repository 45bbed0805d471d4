set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output 'docs/results/minatar_dqn_report_files/diag_feature_norm_minatar_space_invaders_actions_full_max_steps_0_ramping_true_sticky_0_1_.svg'
set title 'minatar/space_invaders(actions=full,max_steps=0,ramping=true,sticky=0.1): feature norm'
set xlabel 'env steps'
set ylabel 'feature norm'
set key outside right top box
set grid lc rgb '#dddddd'
set border 3
set tics nomirror
set style fill transparent solid 0.2 noborder
set format x '%.0s%c'
$D0 << EOD
100000 9.660879453 9.444849968 9.949954987
200000 12.18341382 11.99655056 12.36392117
300000 14.54105028 14.0316658 15.24035358
400000 15.25414435 14.31219196 16.66340446
500000 14.45401446 13.37571907 16.14747047
600000 14.53951391 13.71121597 15.56318092
700000 14.44329707 13.78152466 15.22639465
800000 14.36489328 13.47191429 15.97197628
900000 13.79248301 13.18705177 14.57731247
1000000 13.73371728 13.10006332 14.1706171
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'dqn (n=3)'
