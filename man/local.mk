# SPDX-License-Identifier: ISC
# Hand-written mdoc pages; tests/man_lint.sh checks them with mandoc -Tlint
# when mandoc is installed. Each page is one line of dist_man_MANS.
dist_man_MANS +=
dist_man_MANS += man/skms.yaml.5
dist_man_MANS += man/skmc.1
dist_man_MANS += man/skmsctl.8
dist_man_MANS += man/skmsd.8
dist_man_MANS += man/skgmsd.8
dist_man_MANS += man/skgmsctl.8
dist_man_MANS += man/skm.3
dist_man_MANS += man/skm_uid.3
dist_man_MANS += man/skm_kms.3
dist_man_MANS += man/skm_sakke.3
dist_man_MANS += man/skm_eccsi.3
dist_man_MANS += man/skm_gmk.3
TESTS += tests/man_lint.sh
EXTRA_DIST += tests/man_lint.sh
AM_TESTS_ENVIRONMENT += MAN_PAGES='$(dist_man_MANS)'; MANDOC='$(MANDOC)'; export MAN_PAGES MANDOC;
