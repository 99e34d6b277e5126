try:
    from asynclint.cli import main
except KeyboardInterrupt:  # Ctrl-C while Python is still importing: stop as quietly as later on
    raise SystemExit(130) from None

raise SystemExit(main())
