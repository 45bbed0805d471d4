set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output 'docs/results/minatar_dqn_report_files/diag_grad_norm_minatar_freeway_actions_full_max_steps_0_ramping_true_sticky_0_1_.svg'
set title 'minatar/freeway(actions=full,max_steps=0,ramping=true,sticky=0.1): gradient norm'
set xlabel 'env steps'
set ylabel 'gradient norm'
set key outside right top box
set grid lc rgb '#dddddd'
set border 3
set tics nomirror
set style fill transparent solid 0.2 noborder
set format x '%.0s%c'
$D0 << EOD
100000 0.003087588858 0.002829578369 0.003438179558
200000 0.006961060415 0.003606844789 0.008970340197
300000 0.01400027276 0.01173224194 0.01523901899
400000 0.01765438626 0.01587240403 0.01914082397
500000 0.01903279238 0.01815482927 0.02060107649
600000 0.02064367979 0.01994501024 0.02180545279
700000 0.02070330382 0.02027051351 0.02128964475
800000 0.02103251619 0.01979399449 0.02192993498
900000 0.02111547722 0.01928616229 0.02312082446
1000000 0.02112045725 0.02058188813 0.02176438765
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'dqn (n=3)'
