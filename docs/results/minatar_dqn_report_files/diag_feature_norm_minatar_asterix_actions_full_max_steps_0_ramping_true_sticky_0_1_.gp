set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output 'docs/results/minatar_dqn_report_files/diag_feature_norm_minatar_asterix_actions_full_max_steps_0_ramping_true_sticky_0_1_.svg'
set title 'minatar/asterix(actions=full,max_steps=0,ramping=true,sticky=0.1): feature norm'
set xlabel 'env steps'
set ylabel 'feature norm'
set key outside right top box
set grid lc rgb '#dddddd'
set border 3
set tics nomirror
set style fill transparent solid 0.2 noborder
set format x '%.0s%c'
$D0 << EOD
100000 3.932874839 3.892758131 3.985045433
200000 5.484421253 5.358829975 5.570859432
300000 5.496114731 5.386835098 5.569184303
400000 4.823503335 4.669669151 5.010578156
500000 4.373349984 4.276909351 4.524996281
600000 4.087914626 4.003338814 4.198200226
700000 3.805463076 3.717877865 3.902571678
800000 3.638661941 3.515146732 3.763290882
900000 3.536337614 3.461024284 3.656744003
1000000 3.437352578 3.357764244 3.518946886
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'dqn (n=3)'
