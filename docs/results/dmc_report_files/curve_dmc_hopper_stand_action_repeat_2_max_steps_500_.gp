set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output 'dmc_report_files/curve_dmc_hopper_stand_action_repeat_2_max_steps_500_.svg'
set title 'dmc/hopper_stand(action_repeat=2,max_steps=500)'
set xlabel 'env steps'
set ylabel 'eval_return_mean (mean, 95% CI)'
set key outside right top box
set grid lc rgb '#dddddd'
set border 3
set tics nomirror
set style fill transparent solid 0.2 noborder
set format x '%.0s%c'
$D0 << EOD
5000 0.6654297663 0 1.996289299
10000 1.596293278 0 2.792574088
15000 1.90541351 0 5.71624053
20000 1.650691193 0 4.952073579
EOD
$D1 << EOD
5000 0.3080799368 0 0.9242398104
10000 2.549680977 0.9092542508 5.084326887
15000 2.990984589 0 5.81973465
20000 21.75233739 0 49.11370176
EOD
$D2 << EOD
5000 0.7310139279 0 1.993398574
10000 2.599918151 0 4.999876759
15000 3.258363066 0 7.983123002
20000 3.098872668 0 9.296618004
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'sac (n=3)', \
     $D1 using 1:3:4 with filledcurves lc rgb '#D55E00' notitle, $D1 using 1:2 with lines lw 2 lc rgb '#D55E00' title 'simba (n=3)', \
     $D2 using 1:3:4 with filledcurves lc rgb '#009E73' notitle, $D2 using 1:2 with lines lw 2 lc rgb '#009E73' title 'simbav2 (n=3)'
