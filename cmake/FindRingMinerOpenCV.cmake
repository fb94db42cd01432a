# Debian splits OpenCV into per-module -dev packages and ships OpenCVConfig.cmake only with the meta package
# (which pulls GDAL and friends), so the three modules RingMiner uses are found directly.
find_path(RINGMINER_OPENCV_INCLUDE_DIR opencv2/core.hpp PATH_SUFFIXES opencv4)
find_library(RINGMINER_OPENCV_CORE opencv_core)
find_library(RINGMINER_OPENCV_IMGPROC opencv_imgproc)
find_library(RINGMINER_OPENCV_IMGCODECS opencv_imgcodecs)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(RingMinerOpenCV DEFAULT_MSG RINGMINER_OPENCV_INCLUDE_DIR RINGMINER_OPENCV_CORE
                                  RINGMINER_OPENCV_IMGPROC RINGMINER_OPENCV_IMGCODECS)
if(RingMinerOpenCV_FOUND AND NOT TARGET RingMiner::OpenCV)
  add_library(RingMiner::OpenCV INTERFACE IMPORTED)
  set_target_properties(RingMiner::OpenCV PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${RINGMINER_OPENCV_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "${RINGMINER_OPENCV_IMGCODECS};${RINGMINER_OPENCV_IMGPROC};${RINGMINER_OPENCV_CORE}")
endif()
