set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set output 'dmc_report_files/curve_dmc_cheetah_run_action_repeat_2_max_steps_500_.svg'
set title 'dmc/cheetah_run(action_repeat=2,max_steps=500)'
set xlabel 'env steps'
set ylabel 'eval_return_mean (mean, 95% CI)'
set key outside right top box
set grid lc rgb '#dddddd'
set border 3
set tics nomirror
set style fill transparent solid 0.2 noborder
set format x '%.0s%c'
$D0 << EOD
5000 1.649384872 0.3929882545 3.51050009
10000 3.101355796 0.8700567012 6.957946676
15000 6.643242336 0.4658344648 12.58529907
20000 11.44968652 6.629601752 16.11922725
EOD
$D1 << EOD
5000 9.770034627 2.653388386 18.69231503
10000 19.27302499 17.72281355 20.52861968
15000 75.93334131 48.76627399 101.1709853
20000 124.8777006 111.8156952 144.303053
EOD
$D2 << EOD
5000 0.442349272 0.2397224213 0.7278635472
10000 13.82442622 6.37583957 27.80864618
15000 10.48965424 7.236994032 15.78168352
20000 55.80378136 19.80449871 127.5742741
EOD
plot $D0 using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, $D0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'sac (n=3)', \
     $D1 using 1:3:4 with filledcurves lc rgb '#D55E00' notitle, $D1 using 1:2 with lines lw 2 lc rgb '#D55E00' title 'simba (n=3)', \
     $D2 using 1:3:4 with filledcurves lc rgb '#009E73' notitle, $D2 using 1:2 with lines lw 2 lc rgb '#009E73' title 'simbav2 (n=3)'
