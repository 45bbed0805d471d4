set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output 'docs/results/minatar_dqn_report_files/curve_minatar_asterix_actions_full_max_steps_0_ramping_true_sticky_0_1_.svg'
set title 'minatar/asterix(actions=full,max_steps=0,ramping=true,sticky=0.1)'
set xlabel 'env steps'
set ylabel 'train_return_mean (mean, 95% CI)'
set key outside right top box
set grid lc rgb '#dddddd'
set border 3
set tics nomirror
set style fill transparent solid 0.2 noborder
set format x '%.0s%c'
$D0 << EOD
100000 0.5191956373 0.5041446873 0.5333827893
200000 1.290955161 1.119605425 1.451476793
300000 4.734254332 4.025352113 5.524115756
400000 8.279401673 6.982698962 9.365546218
500000 12.51681058 10.8553719 14.87254902
600000 14.70120886 13.5915493 16.17874396
700000 16.96996917 15.48529412 18.7371134
800000 19.62162751 17.79274611 21.72619048
900000 22.39706722 18.87958115 26.57324841
1000000 24.21771196 22.17142857 26.06707317
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'dqn (n=3)'
