"""extract components."""
