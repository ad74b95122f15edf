from derivcheck.cli import main

raise SystemExit(main())
