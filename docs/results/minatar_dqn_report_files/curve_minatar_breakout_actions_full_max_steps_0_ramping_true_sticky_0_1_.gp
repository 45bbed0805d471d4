set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output 'docs/results/minatar_dqn_report_files/curve_minatar_breakout_actions_full_max_steps_0_ramping_true_sticky_0_1_.svg'
set title 'minatar/breakout(actions=full,max_steps=0,ramping=true,sticky=0.1)'
set xlabel 'env steps'
set ylabel 'train_return_mean (mean, 95% CI)'
set key outside right top box
set grid lc rgb '#dddddd'
set border 3
set tics nomirror
set style fill transparent solid 0.2 noborder
set format x '%.0s%c'
$D0 << EOD
100000 0.8137918364 0.8072894246 0.821838246
200000 1.867784366 1.84992343 1.893506494
300000 2.918203623 2.786376605 2.990850172
400000 3.773110353 3.686703097 3.880554228
500000 4.512423343 4.122244489 4.912581217
600000 5.045801048 4.413333333 5.465663833
700000 5.159087649 4.477014602 5.767906336
800000 5.733601786 5.47483871 6.232815965
900000 5.607681892 5.297178683 5.942090395
1000000 5.887289017 5.765432099 6.013552068
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'dqn (n=3)'
