set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output 'docs/results/minatar_dqn_report_files/aggregate_iqm.svg'
set title 'IQM over envs'
set xlabel 'env steps'
set ylabel 'IQM normalised score'
set key outside right top box
set grid lc rgb '#dddddd'
set border 3
set tics nomirror
set style fill transparent solid 0.2 noborder
set format x '%.0s%c'
$D0 << EOD
100000 0.01516408607 0.01369753338 0.0159691811
200000 0.1218433625 0.09722494859 0.1382900736
300000 0.3367566506 0.3178169867 0.3565182116
400000 0.4530332754 0.4239890087 0.4820663818
500000 0.5666942419 0.5304253779 0.6097903586
600000 0.6395154981 0.6072361172 0.6712954518
700000 0.6780810714 0.6466097222 0.7170801146
800000 0.7294474047 0.712284427 0.7543975508
900000 0.7407196816 0.7283072757 0.7570619316
1000000 0.7616953682 0.7506200465 0.7717124147
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'dqn'
