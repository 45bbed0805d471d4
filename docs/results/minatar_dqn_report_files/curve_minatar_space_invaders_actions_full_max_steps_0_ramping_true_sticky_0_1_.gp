set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output 'docs/results/minatar_dqn_report_files/curve_minatar_space_invaders_actions_full_max_steps_0_ramping_true_sticky_0_1_.svg'
set title 'minatar/space_invaders(actions=full,max_steps=0,ramping=true,sticky=0.1)'
set xlabel 'env steps'
set ylabel 'train_return_mean (mean, 95% CI)'
set key outside right top box
set grid lc rgb '#dddddd'
set border 3
set tics nomirror
set style fill transparent solid 0.2 noborder
set format x '%.0s%c'
$D0 << EOD
100000 4.847127023 4.730792498 4.952015355
200000 11.46487794 11.21614583 11.74098798
300000 22.97290843 20.82804233 24.27575758
400000 24.64434581 22.27793696 27.15673981
500000 24.90921168 24.63384615 25.33974359
600000 26.11551539 24.33823529 27.35215947
700000 25.43003931 24.55828221 26.94805195
800000 25.46251323 25.3498452 25.55621302
900000 25.89461405 25.09230769 26.56965944
1000000 26.91691933 25.93558282 27.77429467
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'dqn (n=3)'
