# Builds, installs and packages the kiosk and the centre.
#   make                      release build (Swift runtime linked in: a kiosk needs no toolchain)
#   make install DESTDIR=DIR  both packages' files in their FHS places under DIR
#                             (install-kiosk, install-center: one package's files)
#   make deb                  kiosk_<version>_<arch>.deb and kiosk-center_<version>_<arch>.deb
#   make lint                 lintian on both packages (no error may remain)
# BIN=DIR installs binaries already built there instead of building (the tests
# do this, with a static debug build). A program that links the Swift runtime
# dynamically, or carries a RUNPATH, is refused: it would need the toolchain
# on the kiosk.

PREFIX   ?= /usr
DESTDIR  ?=
SWIFT    ?= swift
VERSION  := $(shell sed -n 's/.*current = "\(.*\)".*/\1/p' Sources/KioskDomain/KioskVersion.swift)
ARCH     := $(shell dpkg --print-architecture)
DEBROOT  ?= .build-static/deb
DEBDIR   ?= .build-static
KIOSK_PROGRAMS  := kioskd kioskctl
CENTER_PROGRAMS := kiosk-center
PROGRAMS := $(KIOSK_PROGRAMS) $(CENTER_PROGRAMS)
# e.g. DEB_FLAGS=-Zgzip: the tests package debug binaries, where xz takes minutes.
DEB_FLAGS ?=

# Its own scratch folder: the static build does not displace a developer's release build.
SWIFT_BUILD = $(SWIFT) build -c release --static-swift-stdlib --disable-local-rpath --scratch-path .build-static

ifeq ($(BIN),)
BUILD_BIN = $(shell $(SWIFT_BUILD) --show-bin-path)
build:
	for program in $(PROGRAMS); do $(SWIFT_BUILD) --product $$program || exit 1; done
	@$(MAKE) -s check-static BIN=$(BUILD_BIN)
else
BUILD_BIN = $(BIN)
build: check-static
endif

# Refuses a program that needs the Swift toolchain at run time.
check-static:
	@for program in $(PROGRAMS); do \
	  test -x "$(BUILD_BIN)/$$program" || { echo "no $$program in $(BUILD_BIN)" >&2; exit 1; }; \
	  if readelf -d "$(BUILD_BIN)/$$program" | grep -Eq 'NEEDED.*\[lib(swift|Foundation|dispatch|BlocksRuntime|_Foundation|XCTest|Testing)|R(UN)?PATH'; then \
	    echo "$(BUILD_BIN)/$$program links the Swift runtime dynamically or carries a RUNPATH:" >&2; \
	    readelf -d "$(BUILD_BIN)/$$program" | grep -E 'NEEDED.*\[lib(swift|Foundation|dispatch|BlocksRuntime)|R(UN)?PATH' | head -3 >&2; \
	    echo "build with --static-swift-stdlib (make does); a kiosk has no toolchain" >&2; exit 1; \
	  fi; \
	done

MAN    = $(DESTDIR)$(PREFIX)/share/man/man8
BASHC  = $(DESTDIR)$(PREFIX)/share/bash-completion/completions
ZSHC   = $(DESTDIR)$(PREFIX)/share/zsh/vendor-completions
FISHC  = $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d

# One package's manual page, completions, copyright and changelog:
#   $(call package-docs,PACKAGE,PROGRAMS)
define package-docs
	install -d $(MAN) $(BASHC) $(ZSHC) $(FISHC) $(DESTDIR)$(PREFIX)/share/doc/$(1)
	for program in $(2); do \
	  gzip -9n < docs/man/$$program.8 > $(MAN)/$$program.8.gz && chmod 0644 $(MAN)/$$program.8.gz; \
	  "$(BUILD_BIN)/$$program" --generate-completion-script bash | sed '1{/^#!/d}' > $(BASHC)/$$program; \
	  "$(BUILD_BIN)/$$program" --generate-completion-script zsh > $(ZSHC)/_$$program; \
	  "$(BUILD_BIN)/$$program" --generate-completion-script fish > $(FISHC)/$$program.fish; \
	  chmod 0644 $(BASHC)/$$program $(ZSHC)/_$$program $(FISHC)/$$program.fish; \
	done
	install -m 0644 packaging/debian/copyright $(DESTDIR)$(PREFIX)/share/doc/$(1)/copyright
	gzip -9n < packaging/debian/changelog > $(DESTDIR)$(PREFIX)/share/doc/$(1)/changelog.gz
	chmod 0644 $(DESTDIR)$(PREFIX)/share/doc/$(1)/changelog.gz
	install -m 0644 README.md $(DESTDIR)$(PREFIX)/share/doc/$(1)/
	install -d $(DESTDIR)$(PREFIX)/share/lintian/overrides
	install -m 0644 packaging/lintian/$(1) $(DESTDIR)$(PREFIX)/share/lintian/overrides/$(1)
endef

install: install-kiosk install-center

# The kiosk: its roles, units, user, lockdown, configuration and receipt assets.
install-kiosk: build
	install -d $(DESTDIR)$(PREFIX)/bin
	for program in $(KIOSK_PROGRAMS); do install -s -m 0755 "$(BUILD_BIN)/$$program" $(DESTDIR)$(PREFIX)/bin/$$program; done
	install -d $(DESTDIR)$(PREFIX)/lib/systemd/system $(DESTDIR)$(PREFIX)/lib/sysusers.d $(DESTDIR)$(PREFIX)/lib/tmpfiles.d
	for unit in systemd/kiosk-*.service systemd/kiosk-*.timer; do \
	  case $$unit in systemd/kiosk-center.*) ;; *) install -m 0644 $$unit $(DESTDIR)$(PREFIX)/lib/systemd/system/ ;; esac; \
	done
	install -m 0644 systemd/sysusers.d/kiosk.conf $(DESTDIR)$(PREFIX)/lib/sysusers.d/kiosk.conf
	install -m 0644 systemd/tmpfiles.d/kiosk.conf $(DESTDIR)$(PREFIX)/lib/tmpfiles.d/kiosk.conf
	# The console lockdown (README: what the package changes on the machine).
	install -d $(DESTDIR)$(PREFIX)/lib/sysctl.d $(DESTDIR)$(PREFIX)/lib/systemd/logind.conf.d $(DESTDIR)$(PREFIX)/lib/systemd/system.conf.d
	install -m 0644 systemd/sysctl.d/60-kiosk-lockdown.conf $(DESTDIR)$(PREFIX)/lib/sysctl.d/
	install -m 0644 systemd/logind.conf.d/60-kiosk-lockdown.conf $(DESTDIR)$(PREFIX)/lib/systemd/logind.conf.d/
	install -m 0644 systemd/system.conf.d/60-kiosk-lockdown.conf $(DESTDIR)$(PREFIX)/lib/systemd/system.conf.d/
	install -d -m 0755 $(DESTDIR)/etc/kiosk
	install -m 0644 kiosk-config/*.yaml kiosk-config/foot.ini $(DESTDIR)/etc/kiosk/
	install -d -m 0700 $(DESTDIR)/etc/kiosk/credentials
	install -d $(DESTDIR)$(PREFIX)/share/kiosk/assets
	install -m 0644 assets/receipt-layout.yaml $(DESTDIR)$(PREFIX)/share/kiosk/assets/
	$(call package-docs,kiosk,$(KIOSK_PROGRAMS))

# The centre: its service, configuration, console pages and API description.
install-center: build
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/systemd/system $(DESTDIR)$(PREFIX)/lib/tmpfiles.d
	install -s -m 0755 "$(BUILD_BIN)/kiosk-center" $(DESTDIR)$(PREFIX)/bin/kiosk-center
	install -m 0644 systemd/kiosk-center.service $(DESTDIR)$(PREFIX)/lib/systemd/system/
	install -m 0644 systemd/tmpfiles.d/kiosk-center.conf $(DESTDIR)$(PREFIX)/lib/tmpfiles.d/kiosk-center.conf
	install -d -m 0755 $(DESTDIR)/etc/kiosk-center
	install -m 0644 center-config/*.yaml $(DESTDIR)/etc/kiosk-center/
	install -d -m 0700 $(DESTDIR)/etc/kiosk-center/credentials
	install -d $(DESTDIR)$(PREFIX)/share/kiosk/assets/console
	install -m 0644 assets/console/* $(DESTDIR)$(PREFIX)/share/kiosk/assets/console/
	$(call package-docs,kiosk-center,$(CENTER_PROGRAMS))
	install -m 0644 docs/intake-api.yaml docs/partner-api.yaml docs/alerts.yaml docs/alerts-test.yaml $(DESTDIR)$(PREFIX)/share/doc/kiosk-center/

# One .deb from a staged root: control with Depends from dpkg-shlibdeps,
# maintainer scripts, conffiles, md5sums.
#   $(call build-deb,PACKAGE,INSTALL-TARGET)
define build-deb
	rm -rf $(DEBROOT)/$(1)
	$(MAKE) -s $(2) DESTDIR=$(abspath $(DEBROOT)/$(1)) PREFIX=/usr
	install -d $(DEBROOT)/$(1)/DEBIAN
	depends=$$(packaging/shlibdeps $(DEBROOT)/$(1)) || exit 1; \
	sed -e 's/@VERSION@/$(VERSION)/' -e 's/@ARCH@/$(ARCH)/' -e "s/@SHLIBS@/$$depends/" \
	  -e "s/@SIZE@/$$(du -sk --exclude=DEBIAN $(DEBROOT)/$(1) | cut -f1)/" \
	  packaging/debian/$(1).control > $(DEBROOT)/$(1)/DEBIAN/control
	for script in postinst prerm postrm; do \
	  test -f packaging/debian/$(1).$$script && install -m 0755 packaging/debian/$(1).$$script $(DEBROOT)/$(1)/DEBIAN/$$script; \
	done; true
	cd $(DEBROOT)/$(1) && find etc -type f | sort | sed 's|^|/|' > DEBIAN/conffiles
	cd $(DEBROOT)/$(1) && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | sort | xargs md5sum > DEBIAN/md5sums
	dpkg-deb --root-owner-group $(DEB_FLAGS) --build $(DEBROOT)/$(1) $(DEBDIR)/$(1)_$(VERSION)_$(ARCH).deb
	@echo "built $(DEBDIR)/$(1)_$(VERSION)_$(ARCH).deb"
endef

deb: build
	install -d $(DEBDIR)
	$(call build-deb,kiosk,install-kiosk)
	$(call build-deb,kiosk-center,install-center)

lint: deb
	lintian --fail-on error,warning --info \
	  $(DEBDIR)/kiosk_$(VERSION)_$(ARCH).deb $(DEBDIR)/kiosk-center_$(VERSION)_$(ARCH).deb

.PHONY: build check-static install install-kiosk install-center deb lint
