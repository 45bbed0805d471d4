set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output 'docs/results/minatar_dqn_report_files/diag_feature_norm_minatar_freeway_actions_full_max_steps_0_ramping_true_sticky_0_1_.svg'
set title 'minatar/freeway(actions=full,max_steps=0,ramping=true,sticky=0.1): feature norm'
set xlabel 'env steps'
set ylabel 'feature norm'
set key outside right top box
set grid lc rgb '#dddddd'
set border 3
set tics nomirror
set style fill transparent solid 0.2 noborder
set format x '%.0s%c'
$D0 << EOD
100000 2.85013485 2.693615675 3.126218557
200000 2.898160934 2.706619978 3.005987167
300000 2.783908367 2.737910986 2.858586073
400000 2.717602809 2.588204861 2.864136696
500000 2.582877556 2.530599594 2.643539667
600000 2.523964564 2.500714779 2.547174692
700000 2.441748699 2.385513783 2.477307081
800000 2.392259359 2.372462511 2.415166378
900000 2.320743163 2.298738718 2.346471071
1000000 2.261170705 2.195480824 2.326940536
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'dqn (n=3)'
