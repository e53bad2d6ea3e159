module scanrelay.bench/gobench

go 1.19
