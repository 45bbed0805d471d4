set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output 'docs/results/minatar_dqn_report_files/diag_grad_norm_minatar_seaquest_actions_full_max_steps_0_ramping_true_sticky_0_1_.svg'
set title 'minatar/seaquest(actions=full,max_steps=0,ramping=true,sticky=0.1): gradient norm'
set xlabel 'env steps'
set ylabel 'gradient norm'
set key outside right top box
set grid lc rgb '#dddddd'
set border 3
set tics nomirror
set style fill transparent solid 0.2 noborder
set format x '%.0s%c'
$D0 << EOD
100000 0.07448305218 0.06102212653 0.08358440767
200000 0.203233511 0.1870718573 0.2249842495
300000 0.1217939091 0.1065390632 0.1307119198
400000 0.03008639814 0.02655208402 0.03661825452
500000 0.01314153226 0.01094238154 0.01690449207
600000 0.009092928687 0.007900158161 0.01085157612
700000 0.00908717783 0.007573523796 0.0114063185
800000 0.01050064858 0.007289515657 0.01393328584
900000 0.01455411927 0.009336415086 0.01967151802
1000000 0.01938376745 0.01330762439 0.02507207824
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'dqn (n=3)'
