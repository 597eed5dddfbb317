"""Sites (被检查单位): site data, the unified social credit code check, and 双随机 sampling."""
