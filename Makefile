# Builds, installs and packages the kiosk.
#   make                      release build (Swift runtime linked in: a kiosk needs no toolchain)
#   make install DESTDIR=DIR  binaries, units, configuration and assets in their FHS places under DIR
#   make deb                  kiosk_<version>_<arch>.deb with dpkg-deb (creates the kiosk user on install)
# BIN=DIR installs binaries already built there instead of building (the tests do this).

PREFIX   ?= /usr
DESTDIR  ?=
SWIFT    ?= swift
VERSION  := $(shell sed -n 's/.*current = "\(.*\)".*/\1/p' Sources/KioskDomain/KioskVersion.swift)
ARCH     := $(shell dpkg --print-architecture)
DEBROOT  ?= .build-static/deb/root
DEB      ?= .build-static/kiosk_$(VERSION)_$(ARCH).deb
PROGRAMS := kioskd kioskctl kiosk-center
# e.g. DEB_FLAGS=-Znone: the tests package debug binaries, where xz takes a minute.
DEB_FLAGS ?=

# Its own scratch folder: the static build does not displace a developer's release build.
SWIFT_BUILD = $(SWIFT) build -c release --static-swift-stdlib --scratch-path .build-static

ifeq ($(BIN),)
BUILD_BIN = $(shell $(SWIFT_BUILD) --show-bin-path)
build:
	for program in $(PROGRAMS); do $(SWIFT_BUILD) --product $$program || exit 1; done
else
BUILD_BIN = $(BIN)
build:
	@for program in $(PROGRAMS); do test -x "$(BIN)/$$program" || { echo "no $$program in $(BIN)"; exit 1; }; done
endif

install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	for program in $(PROGRAMS); do install -s -m 0755 "$(BUILD_BIN)/$$program" $(DESTDIR)$(PREFIX)/bin/$$program; done
	install -d $(DESTDIR)$(PREFIX)/lib/systemd/system $(DESTDIR)$(PREFIX)/lib/sysusers.d $(DESTDIR)$(PREFIX)/lib/tmpfiles.d
	install -m 0644 systemd/*.service systemd/*.timer $(DESTDIR)$(PREFIX)/lib/systemd/system/
	install -m 0644 systemd/sysusers.d/kiosk.conf $(DESTDIR)$(PREFIX)/lib/sysusers.d/kiosk.conf
	install -m 0644 systemd/tmpfiles.d/kiosk.conf $(DESTDIR)$(PREFIX)/lib/tmpfiles.d/kiosk.conf
	# The console lockdown (README: what the package changes on the machine).
	install -d $(DESTDIR)$(PREFIX)/lib/sysctl.d $(DESTDIR)$(PREFIX)/lib/systemd/logind.conf.d $(DESTDIR)$(PREFIX)/lib/systemd/system.conf.d
	install -m 0644 systemd/sysctl.d/60-kiosk-lockdown.conf $(DESTDIR)$(PREFIX)/lib/sysctl.d/
	install -m 0644 systemd/logind.conf.d/60-kiosk-lockdown.conf $(DESTDIR)$(PREFIX)/lib/systemd/logind.conf.d/
	install -m 0644 systemd/system.conf.d/60-kiosk-lockdown.conf $(DESTDIR)$(PREFIX)/lib/systemd/system.conf.d/
	install -d -m 0755 $(DESTDIR)/etc/pam.d
	install -m 0644 packaging/pam.d/kiosk-display $(DESTDIR)/etc/pam.d/kiosk-display
	install -d -m 0755 $(DESTDIR)/etc/kiosk
	install -m 0644 kiosk-config/*.yaml kiosk-config/foot.ini $(DESTDIR)/etc/kiosk/
	install -d -m 0755 $(DESTDIR)/etc/kiosk-center
	install -m 0644 center-config/*.yaml $(DESTDIR)/etc/kiosk-center/
	install -d -m 0700 $(DESTDIR)/etc/kiosk/credentials $(DESTDIR)/etc/kiosk-center/credentials
	install -d $(DESTDIR)$(PREFIX)/share/kiosk/assets $(DESTDIR)$(PREFIX)/share/doc/kiosk
	cp -R assets/. $(DESTDIR)$(PREFIX)/share/kiosk/assets/
	install -m 0644 README.md docs/intake-api.yaml $(DESTDIR)$(PREFIX)/share/doc/kiosk/

deb:
	rm -rf $(DEBROOT)
	$(MAKE) install DESTDIR=$(abspath $(DEBROOT)) PREFIX=/usr
	install -d $(DEBROOT)/DEBIAN
	sed -e 's/@VERSION@/$(VERSION)/' -e 's/@ARCH@/$(ARCH)/' packaging/debian/control > $(DEBROOT)/DEBIAN/control
	install -m 0755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm $(DEBROOT)/DEBIAN/
	cd $(DEBROOT) && find etc -type f | sort | sed 's|^|/|' > DEBIAN/conffiles
	dpkg-deb --root-owner-group $(DEB_FLAGS) --build $(DEBROOT) $(DEB)
	@echo "built $(DEB)"

.PHONY: build install deb
