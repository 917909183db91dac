from sim.dashboard.server import main

# Guarded: the replicate workers (spawned processes) import this module as __mp_main__.
if __name__ == "__main__":
    main()
