set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output 'docs/results/minatar_dqn_report_files/diag_grad_norm_minatar_space_invaders_actions_full_max_steps_0_ramping_true_sticky_0_1_.svg'
set title 'minatar/space_invaders(actions=full,max_steps=0,ramping=true,sticky=0.1): gradient norm'
set xlabel 'env steps'
set ylabel 'gradient norm'
set key outside right top box
set grid lc rgb '#dddddd'
set border 3
set tics nomirror
set style fill transparent solid 0.2 noborder
set format x '%.0s%c'
$D0 << EOD
100000 0.1720573922 0.1709634169 0.1740568727
200000 0.3604482888 0.3481522225 0.3772067743
300000 0.2942474404 0.2780613671 0.3047483942
400000 0.2305896406 0.2042968834 0.2462149747
500000 0.1941435167 0.165420438 0.2140367847
600000 0.1857168785 0.1750904752 0.1990191639
700000 0.1897763618 0.1821639103 0.1967705337
800000 0.1883045516 0.1779894521 0.1959803317
900000 0.1838930535 0.1763215152 0.1939416094
1000000 0.1799620623 0.1589390558 0.2020551686
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'dqn (n=3)'
