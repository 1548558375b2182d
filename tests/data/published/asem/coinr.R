# Writes the files of this folder with COINr (R), the peer the tests compare with.
# Run in this folder:  Rscript coinr.R    (COINr 1.1.14 from github.com/bluefoxr/COINr)
library(COINr)
write.csv(ASEM_iData, "source.csv", row.names = FALSE)
write.csv(ASEM_iMeta, "meta.csv", row.names = FALSE)
# build_example_coin(): Denominate, Impute (i_mean_grp by EurAsia_group), Screen (byNA,
# dat_thresh 0.9), Treat (defaults), Normalise (n_minmax 0..100), Aggregate (a_amean)
coin <- build_example_coin(quietly = TRUE)
write.csv(coin$Data$Treated, "coinr_treated.csv", row.names = FALSE)
write.csv(coin$Data$Aggregated, "coinr_aggregated.csv", row.names = FALSE)
# the same up to Treat, then min-max onto 1..100 and geometric means at every level
geo <- build_example_coin(up_to = "Treat", quietly = TRUE)
geo <- Normalise(geo, dset = "Treated", global_specs = list(f_n = "n_minmax", f_n_para = list(l_u = c(1, 100))))
geo <- Aggregate(geo, dset = "Normalised", f_ag = "a_gmean")
write.csv(geo$Data$Aggregated, "coinr_geometric_1_100.csv", row.names = FALSE)
