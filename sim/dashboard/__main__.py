from sim.dashboard.server import main

main()
