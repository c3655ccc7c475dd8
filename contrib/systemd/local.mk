# SPDX-License-Identifier: ISC
# systemd units, sysusers.d and tmpfiles.d files, with the configured
# paths substituted in; installed into the directories configure was given
# (--with-systemdsystemunitdir and the others, under the prefix by default).
# The sample configurations install as $(sysconfdir)/skms/skms.yaml and
# skgmsd.yaml unless one is there already.
systemd_units = contrib/systemd/skmsd.service contrib/systemd/skgmsd.service \
	contrib/systemd/skmc-watch@.service
systemd_user_units = contrib/systemd/skmc-watch.service
systemd_sysusers = contrib/systemd/sysusers.d/skms.conf contrib/systemd/sysusers.d/skmc.conf
systemd_tmpfiles = contrib/systemd/tmpfiles.d/skms.conf contrib/systemd/tmpfiles.d/skmc.conf
systemd_generated = $(systemd_units) $(systemd_user_units) $(systemd_sysusers) \
	$(systemd_tmpfiles)

systemdsystemunit_DATA = $(systemd_units)
systemduserunit_DATA = $(systemd_user_units)
sysusers_DATA = $(systemd_sysusers)
tmpfiles_DATA = $(systemd_tmpfiles)
CLEANFILES += $(systemd_generated)
EXTRA_DIST += $(systemd_generated:=.in)

systemd_subst = sed -e 's|@bindir[@]|$(bindir)|g' -e 's|@sbindir[@]|$(sbindir)|g' \
	-e 's|@sysconfdir[@]|$(sysconfdir)|g' -e 's|@localstatedir[@]|$(localstatedir)|g'

contrib/systemd/skmsd.service: $(srcdir)/contrib/systemd/skmsd.service.in
contrib/systemd/skgmsd.service: $(srcdir)/contrib/systemd/skgmsd.service.in
contrib/systemd/skmc-watch@.service: $(srcdir)/contrib/systemd/skmc-watch@.service.in
contrib/systemd/skmc-watch.service: $(srcdir)/contrib/systemd/skmc-watch.service.in
contrib/systemd/sysusers.d/skms.conf: $(srcdir)/contrib/systemd/sysusers.d/skms.conf.in
contrib/systemd/sysusers.d/skmc.conf: $(srcdir)/contrib/systemd/sysusers.d/skmc.conf.in
contrib/systemd/tmpfiles.d/skms.conf: $(srcdir)/contrib/systemd/tmpfiles.d/skms.conf.in
contrib/systemd/tmpfiles.d/skmc.conf: $(srcdir)/contrib/systemd/tmpfiles.d/skmc.conf.in
$(systemd_generated): Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && $(systemd_subst) $(srcdir)/$@.in >$@.tmp && mv $@.tmp $@

EXTRA_DIST += etc/skmc.conf.sample
install-data-local: install-skms-yaml
install-skms-yaml:
	$(MKDIR_P) $(DESTDIR)$(sysconfdir)/skms
	if [ ! -e $(DESTDIR)$(sysconfdir)/skms/skms.yaml ]; then \
		$(INSTALL_DATA) $(srcdir)/etc/skms.yaml.sample \
		    $(DESTDIR)$(sysconfdir)/skms/skms.yaml; fi
	if [ ! -e $(DESTDIR)$(sysconfdir)/skms/skgmsd.yaml ]; then \
		$(INSTALL_DATA) $(srcdir)/etc/skgmsd.yaml.sample \
		    $(DESTDIR)$(sysconfdir)/skms/skgmsd.yaml; fi
uninstall-local: uninstall-skms-yaml
uninstall-skms-yaml:
	if [ -f $(DESTDIR)$(sysconfdir)/skms/skms.yaml ] && cmp -s \
	    $(srcdir)/etc/skms.yaml.sample $(DESTDIR)$(sysconfdir)/skms/skms.yaml; then \
		rm -f $(DESTDIR)$(sysconfdir)/skms/skms.yaml; fi
	if [ -f $(DESTDIR)$(sysconfdir)/skms/skgmsd.yaml ] && cmp -s \
	    $(srcdir)/etc/skgmsd.yaml.sample $(DESTDIR)$(sysconfdir)/skms/skgmsd.yaml; then \
		rm -f $(DESTDIR)$(sysconfdir)/skms/skgmsd.yaml; fi
PHONY_TARGETS += install-skms-yaml uninstall-skms-yaml
