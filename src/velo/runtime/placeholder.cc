namespace velo {}
