// The page's script: written by the page work (placeholder until merged).
